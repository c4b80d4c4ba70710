"""The `repdesk` command line: desktop app launcher and scripting commands."""

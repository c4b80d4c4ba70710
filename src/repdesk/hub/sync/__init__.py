"""The hub's sync core: the change log and its cursors, pull pages, push batches and their
effects, shared by the reps' API. No HTTP here: `repdesk.hub.api` is the web face."""

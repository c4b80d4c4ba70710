"""The wire schema shared by the desktop client and the hub (`/v1`), typed and validated.

`repdesk.protocol.schema` holds the pydantic models; `repdesk.protocol.convert` maps them to
and from the domain dataclasses.
"""

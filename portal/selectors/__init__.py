"""Reads reused by pages and the API, by noun, mirroring portal.services: import from the module that names the
thing read (portal.selectors.projects, .teams, .checklist, ...). Query counts stay fixed whatever the rows shown."""

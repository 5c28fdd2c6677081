"""Pictures drawn on the server as SVG (no chart library, nothing from a CDN): each module turns records the pages
already have into plain geometry, and a template partial under templates/portal/pictures/ draws it. Pure functions,
no database: a picture never adds a query per row."""

"""marshmallow schemas, used only at the edges: the API, forms and the CLI."""

// Cedar schemas and the strict validator.

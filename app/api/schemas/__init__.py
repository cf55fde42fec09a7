"""Every JSON shape the API sends or reads, one module per resource, with ODK Central's field names
(camelCase) where Central has the resource: pyodk and ruODK read them. Services return plain data;
only these schemas turn it into JSON."""

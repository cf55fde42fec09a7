"""Who is asking: device tokens in the URL, bearer sessions, HTTP Digest and Basic."""

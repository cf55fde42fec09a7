"""Pure writers of the formats the doors share (CSV in a zip, GeoJSON): rows in, bytes out, a little at a
time, so that an export of any size streams in bounded memory. No Flask, no database."""

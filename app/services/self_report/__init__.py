"""Residents' self-reports (农户自主申报): public links, their posters, and (later) leads."""

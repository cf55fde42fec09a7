"""The ?campaign= every campaign read of the API takes (coverage, map units, tiles)."""
from flask import request

from ..problems import missing_parameter
from ..services.coverage import campaigns


def campaign_in_query(project_id: int) -> "campaigns.Campaign":
    """The project's campaign named (or numbered) by ?campaign=. Raises Problem 400.2 without one, 404.1
    for an unknown one."""
    return campaigns.find_campaign(project_id, _named())


def tiled_campaign_in_query(project_id: int) -> "campaigns.TiledCampaign":
    """campaign_in_query for map tiles: what they need of it, its numbers added up to now."""
    return campaigns.campaign_for_tiles(project_id, _named())


def _named() -> str:
    name = request.args.get("campaign")
    if not name:
        raise missing_parameter("campaign", "Say which campaign: ?campaign=NAME or id.")
    return name

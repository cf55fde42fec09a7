"""Coverage of a campaign per place (services.coverage.campaigns.UnitCoverage): Dixian's own resource."""
from marshmallow import Schema, fields


class CampaignSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    startsOn = fields.Date(attribute="starts_on")
    endsOn = fields.Date(attribute="ends_on")
    forms = fields.List(fields.Str(), attribute="form_ids")


class RatesSchema(Schema):
    """The 三保障 and drinking-water shares among persons of screened households."""
    compulsoryEducation = fields.Float(attribute="compulsory_education", allow_none=True)
    basicMedical = fields.Float(attribute="basic_medical", allow_none=True)
    safeHousing = fields.Float(attribute="safe_housing", allow_none=True)
    safeDrinkingWater = fields.Float(attribute="safe_drinking_water", allow_none=True)


class UnitCoverageSchema(Schema):
    code = fields.Str()
    name = fields.Str(allow_none=True)
    registeredHouseholds = fields.Int(attribute="registered")
    screenedHouseholds = fields.Int(attribute="screened")
    coverage = fields.Float(allow_none=True)
    persons = fields.Int()
    rates = fields.Function(lambda unit: RatesSchema().dump(unit))
    flaggedHouseholds = fields.Dict(attribute="flagged")
    householdsAtRisk = fields.Int(attribute="households_at_risk")
    # R21: households with R1, R4, R8 or R9, their share of the screened, and whether it makes an area alert.
    clusterRisk = fields.Function(lambda unit: {"households": unit.households_cluster_risk,
                                                "share": unit.cluster_share, "threshold": unit.cluster_threshold,
                                                "minHouseholds": unit.cluster_min_households,
                                                "alert": unit.cluster_risk})


class CoverageSchema(Schema):
    """GET .../coverage: {campaign, level, units}."""
    campaign = fields.Nested(CampaignSchema)
    level = fields.Str()
    units = fields.List(fields.Nested(UnitCoverageSchema))


class MapUnitSchema(Schema):
    """A place on the console's map (services.coverage.map_units.MapUnit): its numbers as in coverage,
    its level, bounding box [west, south, east, north] and simplified outline (GeoJSON, WGS84)."""
    level = fields.Str()
    bounds = fields.List(fields.Float(), allow_none=True)
    outline = fields.Dict(allow_none=True)
    numbers = fields.Nested(UnitCoverageSchema)


class MapUnitsSchema(Schema):
    """GET .../map-units: {campaign, parent, units}."""
    campaign = fields.Nested(CampaignSchema)
    parent = fields.Str(allow_none=True)
    units = fields.List(fields.Nested(MapUnitSchema))

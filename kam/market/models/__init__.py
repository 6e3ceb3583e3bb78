from kam.market.models.competitors import Competitor, PriceConfidence, PriceIntel, PricePositioning

__all__ = ["Competitor", "PriceConfidence", "PriceIntel", "PricePositioning"]

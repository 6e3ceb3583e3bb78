from kam.customers.models.contact import Attitude, BuyingRole, Contact, Influence
from kam.customers.models.customer import (
    Collaborator,
    CollaboratorAccess,
    Customer,
    CustomerSource,
    CustomerStatus,
    CustomerTier,
    EmployeesBand,
    OwnershipChange,
    OwnershipKind,
    RevenueBand,
    ServiceLevel,
    Tag,
)
from kam.customers.models.imports import ImportJob as ImportJob
from kam.customers.models.pool import Pool, PoolMember, PoolRule, RecycleReason
from kam.customers.models.reference import CityTier, Industry, Region, RegionLevel

__all__ = [
    "Attitude",
    "BuyingRole",
    "CityTier",
    "Collaborator",
    "CollaboratorAccess",
    "Contact",
    "Customer",
    "CustomerSource",
    "CustomerStatus",
    "CustomerTier",
    "EmployeesBand",
    "Industry",
    "Influence",
    "OwnershipChange",
    "OwnershipKind",
    "Pool",
    "PoolMember",
    "PoolRule",
    "RecycleReason",
    "Region",
    "RegionLevel",
    "RevenueBand",
    "ServiceLevel",
    "Tag",
]

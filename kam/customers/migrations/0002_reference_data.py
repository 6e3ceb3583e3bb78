"""Load the shipped reference data: GB/T 4754-2017 industries, GB/T 2260 regions and city tiers.

The JSON files live in kam/customers/fixtures/. regions.json was built from cpca's adcodes.csv
(provinces and prefecture-level cities, 6-digit codes) with these adjustments: each municipality
has one city row for itself (110100 北京市 …); the county-level units directly under a province
(济源, 仙桃, Hainan's and Xinjiang's) are city rows because no prefecture sits above them; Hebei's
non-standard 139000 group is skipped; 莱芜市 (merged into 济南 in 2019) is dropped and 那曲地区
542400 is 那曲市 540600 (2018).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _load(name: str) -> list[dict[str, Any]]:
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        rows: list[dict[str, Any]] = json.load(fh)
    return rows


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value else None


def load_reference_data(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Industry = apps.get_model("customers", "Industry")
    Region = apps.get_model("customers", "Region")
    CityTier = apps.get_model("customers", "CityTier")

    industries = _load("industries.json")
    # sections before divisions, provinces before cities: the self-references must exist first
    for rows in ([r for r in industries if not r["section"]], [r for r in industries if r["section"]]):
        Industry.objects.bulk_create(Industry(code=r["code"], name=r["name"], section_id=r["section"]) for r in rows)

    regions = _load("regions.json")
    for level in ("province", "city"):
        Region.objects.bulk_create(
            Region(
                code=r["code"],
                name=r["name"],
                level=r["level"],
                parent_id=r["parent"],
                latitude=_decimal(r["latitude"]),
                longitude=_decimal(r["longitude"]),
            )
            for r in regions
            if r["level"] == level
        )

    CityTier.objects.bulk_create(
        CityTier(version=r["version"], city_id=r["city"], tier=r["tier"]) for r in _load("city_tiers.json")
    )


def unload_reference_data(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Industry = apps.get_model("customers", "Industry")
    Region = apps.get_model("customers", "Region")
    CityTier = apps.get_model("customers", "CityTier")
    CityTier.objects.all().delete()
    # children first: the self-references are PROTECT
    Region.objects.filter(parent__isnull=False).delete()
    Region.objects.all().delete()
    Industry.objects.filter(section__isnull=False).delete()
    Industry.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, unload_reference_data)]

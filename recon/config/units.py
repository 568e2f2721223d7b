"""`units:` in recon.yaml: unit-of-measure codes, conversions given inline, rounding per unit.

Distributors order in cases, pick in eaches and sell cable by the foot, so the same quantity
arrives as `2 CS`, `24 EA` and `24 PCE`. Codes are normalised first (trim, upper case, then the
synonym table: X12 element 355 and UN/ECE recommendation 20 codes onto one spelling, plus the
config's own synonyms), then converted to the item's base unit with `uom_conversions` rows
(loaded from any source, or listed here). The SQL that does it is `recon.rules.units`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Code -> the one spelling recon compares. X12 355 and UN/ECE rec 20 both in use: a partner's 810
# says CA where the ERP says CS, an EDIFACT DESADV says PCE or C62 where the WMS says EA.
BUILTIN_SYNONYMS: dict[str, str] = {
    "EACH": "EA", "PCE": "EA", "PC": "EA", "C62": "EA", "H87": "EA", "UN": "EA", "UNIT": "EA", "ST": "EA",
    "CA": "CS", "CASE": "CS", "CT": "CS", "CTN": "CS",
    "PA": "PK", "PACK": "PK", "PKG": "PK",
    "BOX": "BX",
    "PF": "PL", "PX": "PL", "PAL": "PL", "PALLET": "PL",
    "FOT": "FT", "FEET": "FT", "FOOT": "FT",
    "LBR": "LB", "LBS": "LB",
    "KGM": "KG", "KGS": "KG",
    "MTR": "M", "MR": "M",
    "YRD": "YD",
    "DZN": "DZ",
    "LTR": "L", "LT": "L",
    "GRM": "G", "GR": "G",
}


def _code(value: Any) -> str:
    """A unit code as recon spells it before synonyms: trimmed, upper case, not empty."""
    text = str(value).strip().upper()
    if not text:
        raise ValueError("a unit code is not empty")
    return text


class Conversion(BaseModel):
    """One inline conversion: one `from` of `item` (or of every item, `*`) is `factor` of `to`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    item: str = "*"
    from_uom: str = Field(alias="from")
    to_uom: str = Field(alias="to")
    factor: Decimal = Field(gt=0)

    @field_validator("item", mode="before")
    @classmethod
    def _item(cls, value: Any) -> str:
        return str(value).strip()

    @field_validator("from_uom", "to_uom", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> str:
        return _code(value)


class Units(BaseModel):
    """How quantities in different units are brought to one unit per item before they are compared."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The base unit of an item that no conversion names (its quantities are compared as they are
    # when they are in this unit or carry none).
    default_base: str = "EA"
    # Extra code -> code, on top of BUILTIN_SYNONYMS (a site's own spellings: KARTON: CS).
    synonyms: dict[str, str] = Field(default_factory=dict)
    # Decimals a quantity converted to this base unit is rounded to (FT: 2; EA: 0).
    decimals: dict[str, int] = Field(default_factory=dict)
    conversions: list[Conversion] = Field(default_factory=list)

    @field_validator("default_base", mode="before")
    @classmethod
    def _base(cls, value: Any) -> str:
        return _code(value)

    @field_validator("synonyms", mode="before")
    @classmethod
    def _synonyms(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {_code(k): _code(v) for k, v in value.items()}
        return value

    @field_validator("decimals", mode="before")
    @classmethod
    def _decimals(cls, value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 4:
                    raise ValueError(f"decimals of {k}: a whole number from 0 to 4 (quantities keep 4 decimals)")
                out[_code(k)] = v
            return out
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Units:
        table = self.synonym_table()
        for code in self.synonyms.values():
            if code in table:
                raise ValueError(f"synonym target {code} is itself a synonym of {table[code]}; name the final code")
        return self

    def synonym_table(self) -> dict[str, str]:
        """Every code recon rewrites, built-in first, then the config's (which win)."""
        return {**BUILTIN_SYNONYMS, **self.synonyms}

    def canonical(self, code: str) -> str:
        """A code as it is compared (`ca ` -> `CS`)."""
        text = _code(code)
        return self.synonym_table().get(text, text)


__all__ = ["BUILTIN_SYNONYMS", "Conversion", "Units"]

"""How each synthetic trust writes its files, beyond what its YAML tells the reader.

The trust YAML says how to *read* a file (format, encoding, headers, value maps, date formats,
a glob per dataset). A real trust also has habits the reader copes with without being told:
the exact file name, whether it sends NHS numbers or only its own patient ids, NHS numbers
printed with spaces, optional columns it never sends, text or typed dates in Excel, national
labels in place of codes. Those live here, keyed by ODS code; a trust configured by YAML alone
gets defaults that fit the default file patterns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Habits:
    # file names: {month} is YYYY-MM, {yyyymm} is YYYYMM, {mon_year} is e.g. "Jan 2024"
    ri_file: str = "{ods}_restrictive_interventions_{month}"
    ws_file: str = "{ods}_ward_stays_{month}"
    identifiers: Literal["nhs", "local", "both"] = "nhs"
    nhs_spaced: bool = False  # "999 123 4567"
    native_dates: bool = True  # xlsx/parquet: typed date cells; False: text in the trust formats
    shared_labels: tuple[str, ...] = ()  # coded fields written as the national label
    omit: tuple[str, ...] = ()  # optional canonical fields the trust does not send
    incident_id: str = "{n:06d}"
    ward_stay_id: str = "WS{n:06d}"
    local_id: str = "{n:08d}"
    ward_code: str = "{ods}W{n:02d}"  # {name} = a ward name from WARD_NAMES
    crlf: bool = False  # Windows line endings in CSV


HABITS: dict[str, Habits] = {
    "RJ8": Habits(
        ri_file="RJ8_restrictive_interventions_{month}", ws_file="RJ8_ward_stays_{month}"
    ),
    "NQL": Habits(
        ri_file="Livewell RI return {mon_year}",
        ws_file="Livewell ward stays {mon_year}",
        nhs_spaced=True,
        crlf=True,
        incident_id="LW{n:06d}",
        ward_code="{name}",
    ),
    "RWV": Habits(
        ri_file="RWV_MHSIP_RI_{yyyymm}",
        ws_file="RWV_MHSIP_WS_{yyyymm}",
        identifiers="both",
        incident_id="RWV-RI-{n:06d}",
        ward_stay_id="{n:09d}",
        local_id="DPT{n:07d}",
    ),
    "RH5": Habits(
        ri_file="rh5_ri_{yyyymm}",
        ws_file="rh5_ws_{yyyymm}",
        omit=("gender_identity",),
        ward_code="{name}",
    ),
    "RVN": Habits(
        ri_file="AWP_RestrictivePractice_{yyyymm}",
        ws_file="AWP_WardStays_{yyyymm}",
        identifiers="local",
        crlf=True,
        local_id="RIO{n:07d}",
        incident_id="AWP{n:07d}",
        ward_code="{name}",
    ),
    "RTQ": Habits(ri_file="GHC_RI_{month}", ws_file="GHC_WS_{month}", incident_id="{n:07d}"),
    "RDY": Habits(
        ri_file="Dorset restrictive interventions {mon_year}",
        ws_file="Dorset ward stays {mon_year}",
        nhs_spaced=True,
        native_dates=False,
        shared_labels=("intervention_type",),
        ward_code="{name}",
    ),
    "RW1": Habits(
        ri_file="SHFT_RI_{yyyymm}",
        ws_file="SHFT_WS_{yyyymm}",
        shared_labels=(
            "injury_patient",
            "injury_staff",
            "injury_other",
            "post_incident_review_patient",
            "lda_flag",
        ),
    ),
    "R1C": Habits(
        ri_file="Solent_interventions_{month}",
        ws_file="Solent_ward_stays_{month}",
        identifiers="both",
        shared_labels=("ethnic_category",),
        local_id="SOL{n:06d}",
    ),
    "R1F": Habits(ri_file="IOW-RI-{yyyymm}", ws_file="IOW-WS-{yyyymm}", omit=("injury_other",)),
    "RNU": Habits(ri_file="OHFT_ri_{month}", ws_file="OHFT_ws_{month}", incident_id="OX{n:07d}"),
    "RWX": Habits(ri_file="BHFT RI {month}", ws_file="BHFT WS {month}", nhs_spaced=True),
    "RX2": Habits(
        ri_file="SPFT_RestrictivePractice_{yyyymm}",
        ws_file="SPFT_WardStays_{yyyymm}",
        ward_code="{name}",
        incident_id="SP{n:07d}",
    ),
    "RXX": Habits(
        ri_file="SABP restrictive interventions {month}",
        ws_file="SABP ward stays {month}",
        crlf=True,
        omit=("gender_identity", "injury_other"),
    ),
    "RXY": Habits(ri_file="KMPT_RI_{yyyymm}", ws_file="KMPT_WS_{yyyymm}", ward_code="{name}"),
    "ZZ1": Habits(
        ri_file="ZZ1 monthly RI return {month}",
        ws_file="ZZ1 monthly bed census {month}",
        identifiers="local",
        local_id="ZZ-{n:06d}",
        incident_id="ZZ1/{n:05d}",
        ward_code="{name}",
        shared_labels=("intervention_type", "ethnic_category", "ward_type", "gender"),
    ),
}

EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "parquet": "parquet"}
# Exceptions to the extension by format: pipe-delimited .txt and tab-separated .tsv
EXTENSION_BY_TRUST = {"RTQ": "txt", "RXY": "tsv"}

WARD_NAMES = (
    "Kingfisher",
    "Heron",
    "Curlew",
    "Osprey",
    "Kestrel",
    "Wren",
    "Linnet",
    "Avocet",
    "Plover",
    "Merlin",
    "Skylark",
    "Puffin",
    "Bramble",
    "Hazel",
    "Rowan",
    "Willow",
    "Juniper",
    "Alder",
    "Holly",
    "Aspen",
    "Cedar",
    "Elm",
    "Larch",
    "Maple",
)


def habits_for(ods_code: str) -> Habits:
    return HABITS.get(ods_code, Habits())


def extension_for(ods_code: str, file_format: str) -> str:
    return EXTENSION_BY_TRUST.get(ods_code, EXTENSIONS[file_format])

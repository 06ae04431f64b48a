"""National code sets used to standardise the restrictive-practice and equity fields.

Sources and confidence are in docs/domain.md (§1.4, §1.5, §1.9, §2.1, §2.3, §2.4).
Where docs/domain.md marks a fact unconfirmed, the comment beside it says so.
"""

from __future__ import annotations

from typing import Final

# MHSDS v5/v6 RestrictiveIntType (domain.md §1.4, confirmed from NHS Digital reference tables).
# 02 and 03 appear in no current NHS Digital reference table; their historic meaning is
# unconfirmed, so they are treated as invalid for v5+ data (row quarantined).
INTERVENTION_TYPES: Final[dict[str, str]] = {
    "01": "Physical restraint - Prone",
    "04": "Mechanical restraint",
    "05": "Seclusion",
    "06": "Segregation",
    "07": "Physical restraint - Standing",
    "08": "Physical restraint - Restrictive escort",
    "09": "Physical restraint - Supine",
    "10": "Physical restraint - Side",
    "11": "Physical restraint - Seated",
    "12": "Physical restraint - Kneeling",
    "13": "Physical restraint - Other (not listed)",
    "14": "Chemical restraint - Injection (Rapid Tranquillisation)",
    "15": "Chemical restraint - Injection (Non Rapid Tranquillisation)",
    "16": "Chemical restraint - Oral",
    "17": "Chemical restraint - Other (not listed)",
}

# Family grouping is derived (domain.md §1.4 marks it partly confirmed): it follows the Use of Force
# Act s.1 categories, with isolation split into seclusion and segregation as NHS Digital does.
INTERVENTION_FAMILY: Final[dict[str, str]] = {
    "01": "physical",
    "04": "mechanical",
    "05": "seclusion",
    "06": "segregation",
    **dict.fromkeys(("07", "08", "09", "10", "11", "12", "13"), "physical"),
    **dict.fromkeys(("14", "15", "16", "17"), "chemical"),
}
FAMILIES: Final[tuple[str, ...]] = (
    "physical",
    "chemical",
    "mechanical",
    "seclusion",
    "segregation",
)
PRONE_CODE: Final = "01"
RAPID_TRANQUILLISATION_CODE: Final = "14"  # RT = code 14 only (domain.md §1.4)

# NHS Digital display order for intervention types (domain.md §1.4).
INTERVENTION_DISPLAY_ORDER: Final[dict[str, int]] = {
    "15": 2, "14": 3, "16": 4, "17": 5, "04": 6, "01": 7, "12": 8, "08": 9, "11": 10,
    "10": 11, "07": 12, "09": 13, "13": 14, "05": 15, "06": 16,
}  # fmt: skip

# Restrictive Intervention Reason (domain.md §1.5).
INTERVENTION_REASONS: Final[dict[str, str]] = {
    "10": "Prevent the patient being violent to others",
    "11": "Prevent the patient causing serious intentional harm to themselves",
    "12": "Prevent the patient causing serious physical injury to themselves by accident",
    "13": "Lawfully administer medicines or other medical treatment",
    "14": "Facilitate personal care",
    "15": "Facilitate nasogastric (NG) feeding",
    "16": "Prevent the patient exhibiting extreme and prolonged over-activity",
    "17": "Prevent the patient exhibiting otherwise dangerous behaviour",
    "18": "Search the patient's clothing or property to ensure the safety of others",
    "19": "Prevent the patient absconding from lawful custody",
    "98": "Other (not listed)",
    "99": "Not Known (Not Recorded)",
}

# ETHNIC CATEGORY (2001 census 16+1), NHS Data Dictionary (domain.md §2.1): code -> (label, group).
ETHNIC_CATEGORIES: Final[dict[str, tuple[str, str]]] = {
    "A": ("White - British", "White"),
    "B": ("White - Irish", "White"),
    "C": ("White - Any other White background", "White"),
    "D": ("Mixed - White and Black Caribbean", "Mixed"),
    "E": ("Mixed - White and Black African", "Mixed"),
    "F": ("Mixed - White and Asian", "Mixed"),
    "G": ("Mixed - Any other mixed background", "Mixed"),
    "H": ("Asian or Asian British - Indian", "Asian or Asian British"),
    "J": ("Asian or Asian British - Pakistani", "Asian or Asian British"),
    "K": ("Asian or Asian British - Bangladeshi", "Asian or Asian British"),
    "L": ("Asian or Asian British - Any other Asian background", "Asian or Asian British"),
    "M": ("Black or Black British - Caribbean", "Black or Black British"),
    "N": ("Black or Black British - African", "Black or Black British"),
    "P": ("Black or Black British - Any other Black background", "Black or Black British"),
    "R": ("Other Ethnic Groups - Chinese", "Other Ethnic Groups"),
    "S": ("Other Ethnic Groups - Any other ethnic group", "Other Ethnic Groups"),
    "Z": ("Not stated", "Not Stated"),
    "99": ("Not known", "Not Known"),
}
ETHNIC_GROUP_ORDER: Final[tuple[str, ...]] = (
    "White", "Mixed", "Asian or Asian British", "Black or Black British",
    "Other Ethnic Groups", "Not Stated", "Not Known",
)  # fmt: skip
ETHNICITY_NOT_STATED_OR_KNOWN: Final = frozenset({"Z", "99"})

# PERSON STATED GENDER CODE (domain.md §2.3).
STATED_GENDER: Final[dict[str, str]] = {
    "1": "Male", "2": "Female", "9": "Indeterminate", "X": "Not known",
}  # fmt: skip
# GENDER IDENTITY CODE (domain.md §2.3).
GENDER_IDENTITY: Final[dict[str, str]] = {
    "1": "Male (including trans man)",
    "2": "Female (including trans woman)",
    "3": "Non-binary",
    "4": "Other (not listed)",
    "Z": "Not stated",
    "X": "Not known",
}
# Derived gender (NHS Digital Der_Gender, domain.md §2.3): identity 1-4 wins, else stated 1/2/9,
# else X (NHS Digital writes UNKNOWN; we keep the national "not known" code X).
DERIVED_GENDER: Final[dict[str, str]] = {
    "1": "Male", "2": "Female", "3": "Non-binary", "4": "Other (not listed)",
    "9": "Indeterminate", "X": "Not known",
}  # fmt: skip

# MHSDS WardType (domain.md §1.9) and WardSecLevel.
WARD_TYPES: Final[dict[str, str]] = {
    "01": "Child and adolescent mental health ward",
    "02": "Paediatric ward",
    "03": "Adult mental health ward",
    "04": "Non mental health ward",
    "05": "Learning disabilities ward",
    "06": "Older people's mental health ward",
}
WARD_SECURITY_LEVELS: Final[dict[str, str]] = {
    "0": "General", "1": "Low Secure", "2": "Medium Secure", "3": "High Secure",
}  # fmt: skip

YES_NO: Final = frozenset({"Y", "N"})

# Age bands used in NHS Digital RI statistics (domain.md §2.4): (label, lower age inclusive).
AGE_BANDS: Final[tuple[tuple[str, int], ...]] = (
    ("Under 18", 0), ("18-24", 18), ("25-34", 25), ("35-44", 35),
    ("45-54", 45), ("55-64", 55), ("65 and over", 65),
)  # fmt: skip
AGE_BAND_UNKNOWN: Final = "Unknown"


# IMD decile -> quintile (domain.md §5.1): deciles 1-2 -> quintile 1 (most deprived) ... 9-10 -> 5.
def imd_quintile(decile: int) -> int:
    return (decile + 1) // 2

"""Builders for synthetic reports tables (radpath's DIR/reports columns); no spaCy needed."""
import pandas as pd

US_DEFAULTS = {"microcalcifications": "present", "mass": "absent", "microcalcification_extent": "diffuse",
               "microcalcification_clustered": "false", "microcalcification_laterality": "right",
               "focal_echogenicity_change": "not_mentioned"}


def us(rid, pid, date, **fields):
    return {"report_id": rid, "patient_id": pid, "report_date": date, "report_kind": "ultrasound",
            **US_DEFAULTS, **fields}


def fna(rid, pid, date, category="VI", **fields):
    malignancy = {"I": "nondiagnostic", "II": "benign", "III": "indeterminate", "IV": "indeterminate",
                  "V": "suspicious", "VI": "malignant"}.get(category, "")
    return {"report_id": rid, "patient_id": pid, "report_date": date, "report_kind": "cytology",
            "bethesda_category": category, "malignancy": malignancy, **fields}


def surgery(rid, pid, date, malignancy="malignant", **fields):
    histology = {"malignant": "papillary_carcinoma", "benign": "benign"}.get(malignancy, "not_stated")
    return {"report_id": rid, "patient_id": pid, "report_date": date, "report_kind": "surgical_pathology",
            "malignancy": malignancy, "histology": histology, "mass_in_specimen": "present", **fields}


def other(rid, pid, date):
    return {"report_id": rid, "patient_id": pid, "report_date": date, "report_kind": "other"}


def frame(*rows):
    return pd.DataFrame(list(rows)).fillna("")

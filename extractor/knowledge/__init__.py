"""Clinical knowledge: patterns/ found, loaded and validated into objects (rules, the rule set, the pathology and
nodule rule books, case definitions). No spaCy, no pandas."""

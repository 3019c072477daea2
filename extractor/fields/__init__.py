"""Report and nodule rows from mentions and text: the report kind, ultrasound fields, nodules, and cytology and surgical
pathology fields (fields/pathology/). No spaCy import here: Docs are read through extractor.nlp."""

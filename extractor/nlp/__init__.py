"""The only spaCy layer: the tokenizer, one component per module (sections, sentences, targets, ConText, attributes,
status), the pipeline built from patterns/, the extension attributes, and mention rows from an annotated Doc. Each
component only annotates the Doc; none reads files or builds tables."""

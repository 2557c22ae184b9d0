"""The creation office's bulletins (通报): numbered per office and year, a period's ranking frozen
at publication, page and PDF from one template, acknowledged by the units they are sent to."""

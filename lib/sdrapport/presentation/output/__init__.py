"""What a report hands out beside its pages: the data workbook and download links; the lineage label check."""

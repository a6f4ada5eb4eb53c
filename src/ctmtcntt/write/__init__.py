"""Stage 6, writing: a unit's workbook filled, the province workbook, the Báo cáo draft."""

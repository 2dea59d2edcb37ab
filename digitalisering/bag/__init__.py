"""The BAG (Basisregistratie Adressen en Gebouwen): extract import, local index, address linking."""

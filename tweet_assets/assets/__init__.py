"""The medallion: bronze (raw pages), silver (typed tables), gold (daily counts)."""

"""Publishing: the published folder's layout, manifest, dataset card, Croissant, datasheet
figures and plots, and reading a published corpus back (stats, show)."""

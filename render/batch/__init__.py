"""Front end: batch builds on a pool of warm workers, recorded in a manifest."""

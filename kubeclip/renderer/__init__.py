"""Pure rendering: validated inputs -> plan -> manifests. No network, no ``kubernetes``
import (tests/test_packaging.py enforces it): what it decides can be reviewed as a dry run."""

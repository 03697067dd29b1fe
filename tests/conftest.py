"""Settings shared by every test layer."""

import os

# jsii prints a banner on every CDK import under Node.js 20, which has passed its end of life;
# the pinned CDK still runs on it.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

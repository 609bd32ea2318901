//go:build tools

// Pins the distribution registry, which the pull-path check runs on 127.0.0.1 (see pull-check.sh).
package tools

import _ "github.com/distribution/distribution/v3/cmd/registry"

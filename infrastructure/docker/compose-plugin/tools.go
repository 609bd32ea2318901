//go:build tools

// Package tools pins the Docker Compose v2 CLI plugin, built from source with the Go toolchain.
// `go install module@version` refuses modules with replace directives, so it is required from here.
package tools

import _ "github.com/docker/compose/v2/cmd"

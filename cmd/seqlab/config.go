package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/seqlab/seqlab/asm"
	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"
)

// configFlag lets a command read its flags from a YAML file of
// `flag-name: value` pairs. Precedence: command line, then SEQLAB_*
// environment variables, then the file, then defaults.
var configFlag = &cli.StringFlag{Name: "config", Usage: "YAML file of flag: value pairs (command-line flags and SEQLAB_* variables take precedence)", EnvVars: env("config")}

// precisionFlag sets the precision of the network's matrix products.
var precisionFlag = &cli.StringFlag{Name: "precision", Value: asm.FP32, Usage: "matmul precision: fp32, or bf16 (bfloat16 products accumulated in float32, on AMX tiles or with AVX512-BF16; needs a CPU with AVX512-BF16)", EnvVars: env("precision")}

// setPrecision sets the matmul precision name ("" is fp32).
func setPrecision(name string) error {
	if name == "" {
		name = asm.FP32
	}
	if err := asm.SetMatmulPrecision(name); err != nil {
		return fmt.Errorf("--precision: %w", err)
	}
	return nil
}

// applyConfig sets every flag named in the --config file that the command
// line and the environment left unset. Unknown keys and values of the wrong
// type are errors naming the file and the key. The file may also be a run
// directory's config.json (recognised by its "net" object), which stands
// for the train flags that reproduce that run.
func applyConfig(c *cli.Context) error {
	path := c.String("config")
	if path == "" {
		return nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var values map[string]any
	if err := yaml.Unmarshal(raw, &values); err != nil {
		return fmt.Errorf("%s: not a YAML map of flag: value pairs: %w", path, err)
	}
	if _, ok := values["net"].(map[string]any); ok {
		if values, err = runFlags(raw); err != nil {
			return fmt.Errorf("%s: a run's %s: %w", path, fileConfig, err)
		}
	}
	var names []string
	for _, f := range c.Command.Flags {
		if n := f.Names()[0]; n != "config" && n != "help" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the first bad key deterministically
	for _, k := range keys {
		if !slices.Contains(names, k) {
			return fmt.Errorf("%s: unknown key %q (valid: %s)", path, k, strings.Join(names, ", "))
		}
		switch v := values[k].(type) {
		case map[string]any, []any, nil:
			return fmt.Errorf("%s: key %q needs a single value, not %v", path, k, v)
		}
		if c.IsSet(k) {
			continue
		}
		if err := c.Set(k, fmt.Sprint(values[k])); err != nil {
			return fmt.Errorf("%s: key %q: %w", path, k, err)
		}
	}
	return nil
}

// runFlags reads a run's config.json, refusing unknown fields, and returns
// the train flags that reproduce the run.
func runFlags(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var rc runConfig
	if err := dec.Decode(&rc); err != nil {
		return nil, err
	}
	return rc.flags()
}

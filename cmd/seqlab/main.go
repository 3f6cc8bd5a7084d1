// Command seqlab trains, samples and evaluates state-space and attention
// backbones for diffusion and flow-matching models on the CPU.
//
// Run `seqlab help` for the commands; every flag can also be set through an
// environment variable SEQLAB_<FLAG>, e.g. SEQLAB_STEPS=2000.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "seqlab:", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	return &cli.App{
		Name:  "seqlab",
		Usage: "state-space and attention backbones for diffusion and flow models, on the CPU",
		Commands: []*cli.Command{
			trainCommand(),
			sampleCommand(),
			evalCommand(),
			headCommand(),
			hippoCommand(),
			benchCommand(),
			cpuinfoCommand(),
		},
	}
}

// env returns the environment variable that also sets flag name.
func env(name string) []string {
	return []string{"SEQLAB_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))}
}

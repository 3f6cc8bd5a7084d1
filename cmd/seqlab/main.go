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
	commands := []*cli.Command{
		trainCommand(),
		sampleCommand(),
		evalCommand(),
		headCommand(),
		hippoCommand(),
		benchCommand(),
		cpuinfoCommand(),
	}
	for _, c := range commands {
		if c.ArgsUsage == "" {
			c.Before = noArgs(c.Before)
		}
	}
	return &cli.App{
		Name:     "seqlab",
		Usage:    "state-space and attention backbones for diffusion and flow models, on the CPU",
		Commands: commands,
	}
}

// noArgs refuses arguments that are not flags before calling next: the flag
// parser stops at the first of them, so `seqlab train moons --steps 100`
// would otherwise run the defaults and drop every flag after "moons".
func noArgs(next cli.BeforeFunc) cli.BeforeFunc {
	return func(c *cli.Context) error {
		if c.Args().Present() {
			return fmt.Errorf("%s: unexpected argument %q; settings are flags, as in --name value", c.Command.Name, c.Args().First())
		}
		if next != nil {
			return next(c)
		}
		return nil
	}
}

// env returns the environment variable that also sets flag name.
func env(name string) []string {
	return []string{"SEQLAB_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))}
}

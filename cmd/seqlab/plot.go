package main

import (
	"fmt"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// panel is one scatter plot of 2-D points (row-major x, y pairs).
type panel struct {
	Title string
	XY    []float32
}

// saveScatterPanels writes the panels side by side as one PNG, all on the
// same axis limits so distributions can be compared by eye.
func saveScatterPanels(path string, panels ...panel) error {
	lim := 0.0
	for _, p := range panels {
		for _, v := range p.XY {
			lim = max(lim, abs64(float64(v)))
		}
	}
	lim = min(lim*1.05, 6)
	plots := make([][]*plot.Plot, 1)
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -lim, lim, -lim, lim
		pts := make(plotter.XYs, 0, len(pn.XY)/2)
		for j := 0; j+1 < len(pn.XY); j += 2 {
			x, y := float64(pn.XY[j]), float64(pn.XY[j+1])
			if abs64(x) <= lim && abs64(y) <= lim {
				pts = append(pts, plotter.XY{X: x, Y: y})
			}
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		s.GlyphStyle.Radius = vg.Points(0.6)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.GlyphStyle.Color = plotutil.Color(i)
		p.Add(s)
		plots[0] = append(plots[0], p)
	}
	const side = 4 * vg.Inch
	img := vgimg.New(side*vg.Length(len(panels)), side)
	dc := draw.New(img)
	canvases := plot.Align(plots, draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter * 4}, dc)
	for i, p := range plots[0] {
		p.Draw(canvases[0][i])
	}
	return writePNG(path, img)
}

// series is one line of a line plot.
type series struct {
	Name string
	X, Y []float64
}

// saveLines writes a line plot of the series; logY draws the y axis on a log
// scale (non-positive values are dropped).
func saveLines(path, title, xlabel, ylabel string, logY bool, lines ...series) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	p.Add(plotter.NewGrid())
	for i, s := range lines {
		pts := make(plotter.XYs, 0, len(s.X))
		for j := range s.X {
			if logY && s.Y[j] <= 0 {
				continue
			}
			pts = append(pts, plotter.XY{X: s.X[j], Y: s.Y[j]})
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1.2)
		p.Add(l)
		if len(pts) == 1 {
			// A line through one point draws nothing; mark the point.
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return fmt.Errorf("plot %s: %w", path, err)
			}
			sc.Color = l.Color
			p.Add(sc)
		}
		if s.Name != "" {
			p.Legend.Add(s.Name, l)
		}
	}
	if logY && !(p.Y.Min > 0 && p.Y.Max > p.Y.Min) {
		// A log axis needs a positive span; one point (a run shorter
		// than --log-every) spans none, and no points leave no range.
		if p.Y.Max > 0 {
			p.Y.Min, p.Y.Max = p.Y.Max/2, p.Y.Max*2
		} else {
			p.Y.Min, p.Y.Max = 0.1, 10
		}
	}
	p.Legend.Top = true
	img := vgimg.New(7*vg.Inch, 4*vg.Inch)
	p.Draw(draw.New(img))
	return writePNG(path, img)
}

// logTicks labels a log axis at the powers of ten it spans, or, when it
// spans less than a decade (where there may be none), at linear ticks.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	if max < 10*min {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	return plot.LogTicks{Prec: -1}.Ticks(min, max)
}

// writePNG encodes the canvas to path through a temporary file, so a crash
// never leaves a truncated picture.
func writePNG(path string, img *vgimg.Canvas) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

func abs64(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

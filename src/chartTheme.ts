/**
 * The colours of a Byzer chart in the notebook's theme: a Plotly layout with the theme's
 * background, text, grid and axis colours (read from JupyterLab's CSS variables) written over the
 * figure's own. Only colours change: sizes, titles, trace colours and everything else stay.
 *
 * Pure functions (no DOM) so they are tested without a browser; chartRenderer.ts reads the
 * variables and redraws the charts when the theme changes.
 */

/** The theme's colours a chart uses. */
export interface ChartColours {
  background: string;
  text: string;
  mutedText: string;
  grid: string;
  axisLine: string;
  fontFamily: string;
}

/** Where each colour comes from: the variables JupyterLab's themes (light, dark, high contrast) set. */
export const THEME_VARIABLES: Readonly<Record<keyof ChartColours, string>> = {
  background: '--jp-layout-color0',
  text: '--jp-ui-font-color1',
  mutedText: '--jp-ui-font-color2',
  grid: '--jp-border-color2',
  axisLine: '--jp-border-color1',
  fontFamily: '--jp-ui-font-family'
};

/** The theme's colours, or null outside a themed page (a variable is not set). */
export function themeColours(read: (variable: string) => string): ChartColours | null {
  const colours = {} as ChartColours;
  for (const [part, variable] of Object.entries(THEME_VARIABLES) as [keyof ChartColours, string][]) {
    const value = read(variable).trim();
    if (!value) {
      return null;
    }
    colours[part] = value;
  }
  return colours;
}

type Layout = Record<string, any>;

// Layout keys of the subplots Plotly draws, the axes each one has, and whether those axes have a
// background of their own (the walls of a 3D scene).
const CARTESIAN_AXIS = /^[xy]axis\d*$/;
const SUBPLOT_AXES: ReadonlyArray<[RegExp, string[], boolean]> = [
  [/^scene\d*$/, ['xaxis', 'yaxis', 'zaxis'], true],
  [/^polar\d*$/, ['radialaxis', 'angularaxis'], false],
  [/^ternary\d*$/, ['aaxis', 'baxis', 'caxis'], false]
];

function object(value: unknown): Layout {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Layout) : {};
}

function axisColours(axis: unknown, colours: ChartColours): Layout {
  return { ...object(axis), gridcolor: colours.grid, zerolinecolor: colours.axisLine, linecolor: colours.axisLine };
}

/**
 * `layout` drawn in the theme's colours (a new object; `layout` is not changed). Explicit layout
 * values win over the figure's template in Plotly, so a plotly.express figure (template "plotly")
 * follows the theme as a plain one does.
 */
export function themedLayout(layout: Layout, colours: ChartColours): Layout {
  const themed: Layout = {
    ...layout,
    paper_bgcolor: colours.background,
    plot_bgcolor: colours.background,
    font: { family: colours.fontFamily, ...object(layout.font), color: colours.text },
    modebar: { ...object(layout.modebar), bgcolor: 'rgba(0, 0, 0, 0)', color: colours.mutedText, activecolor: colours.text }
  };
  if (layout.template !== undefined) {
    themed.template = themedTemplate(layout.template, colours);
  }
  // Every chart gets the two default axes (a pie ignores them); subplots get theirs.
  for (const key of new Set(['xaxis', 'yaxis', ...Object.keys(layout).filter(k => CARTESIAN_AXIS.test(k))])) {
    themed[key] = axisColours(layout[key], colours);
  }
  for (const [pattern, axes, walls] of SUBPLOT_AXES) {
    for (const key of Object.keys(layout).filter(k => pattern.test(k))) {
      const subplot: Layout = { ...object(layout[key]), bgcolor: colours.background };
      for (const axis of axes) {
        subplot[axis] = axisColours(subplot[axis], colours);
        if (walls) {
          subplot[axis].backgroundcolor = colours.background;
        }
      }
      themed[key] = subplot;
    }
  }
  return themed;
}

// Trace types whose template (Plotly's stock "plotly" template, which plotly.express applies)
// outlines their marks in the old plot background (#E5ECF6): on another background that shows as
// a pale edge, so the outline takes the theme's background.
const OUTLINED_TRACES = ['bar', 'barpolar'];

/** The figure's template with the trace defaults that carry colours of their own in the theme's. */
function themedTemplate(template: unknown, colours: ChartColours): unknown {
  const data = object(object(template).data);
  if (!OUTLINED_TRACES.some(kind => Array.isArray(data[kind]))) {
    return template;
  }
  const themedData: Layout = { ...data };
  for (const kind of OUTLINED_TRACES.filter(k => Array.isArray(data[k]))) {
    themedData[kind] = (data[kind] as unknown[]).map(trace => {
      const marker = object(object(trace).marker);
      const errorBar = (bar: unknown) => ({ ...object(bar), color: colours.text });
      return {
        ...object(trace),
        marker: { ...marker, line: { ...object(marker.line), color: colours.background } },
        error_x: errorBar(object(trace).error_x),
        error_y: errorBar(object(trace).error_y)
      };
    });
  }
  return { ...object(template), data: themedData };
}

/** A short key of the colours, to tell whether a chart needs drawing again. */
export function coloursKey(colours: ChartColours | null): string {
  return colours === null ? '' : JSON.stringify(colours);
}

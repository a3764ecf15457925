/**
 * Byzer charts in the notebook's theme, dark included, and again whenever the theme changes.
 *
 * A chart output (byzer_kernel/charts.py) carries the figure in Plotly's mime type plus a small
 * `application/vnd.byzer.chart+json` part saying whether the figure follows the theme. That part is
 * rendered here, before Plotly's own renderer: this renderer hands the output, with the figure's
 * layout in the theme's colours (chartTheme.ts), to the renderer JupyterLab would have chosen
 * without it (the plotly package's), so the chart stays Plotly's interactive one and no second
 * copy of plotly.js is bundled. When the theme changes, the chart is drawn again in the new
 * colours. Elsewhere (nbconvert, VS Code, GitHub) the part is unknown and the other forms show.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { PanelLayout, Widget } from '@lumino/widgets';
import { coloursKey, themeColours, themedLayout, type ChartColours } from './chartTheme';

export const CHART_MIME = 'application/vnd.byzer.chart+json';
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
const SNAPSHOT_MIME = 'image/png';
/** Before Plotly's renderer (rank 2 in the plotly package's extension), so Byzer charts come here. */
export const CHART_RANK = 1;

function currentColours(): ChartColours | null {
  const style = getComputedStyle(document.body);
  return themeColours(variable => style.getPropertyValue(variable));
}

/** The charts on the page, drawn again when the theme changes. */
const liveCharts = new Set<ThemedChart>();
let themeWatcher: MutationObserver | null = null;

function watchTheme(): void {
  if (themeWatcher !== null) {
    return;
  }
  // JupyterLab (and Notebook 7) set these attributes once the new theme's CSS has loaded.
  themeWatcher = new MutationObserver(() => {
    for (const chart of liveCharts) {
      void chart.followTheme();
    }
  });
  themeWatcher.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light'] });
}

export class ThemedChart extends Widget implements IRenderMime.IRenderer {
  private model: IRenderMime.IMimeModel | null = null;
  private drawn: { figure: string; colours: string } | null = null;

  constructor(private readonly rendermime: IRenderMimeRegistry) {
    super();
    this.addClass('byzer-chart');
    this.layout = new PanelLayout();
    liveCharts.add(this);
    watchTheme();
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.model = model;
    return this.draw();
  }

  /** Draws the chart again if the theme's colours changed since it was drawn. */
  followTheme(): Promise<void> {
    return this.draw();
  }

  dispose(): void {
    liveCharts.delete(this);
    super.dispose();
  }

  private async draw(): Promise<void> {
    const model = this.model;
    if (model === null || this.isDisposed) {
      return;
    }
    const follows = Boolean((model.data[CHART_MIME] as { follow_theme?: boolean } | undefined)?.follow_theme);
    const colours = follows ? currentColours() : null;
    const wanted = { figure: JSON.stringify(model.data[PLOTLY_MIME] ?? null), colours: coloursKey(colours) };
    // The output changes without a new figure when the snapshot below is added to it.
    if (this.drawn !== null && this.drawn.figure === wanted.figure && this.drawn.colours === wanted.colours) {
      return;
    }
    this.drawn = wanted;
    const data = this.innerData(model, colours);
    const mimeType = this.rendermime.preferredMimeType(data, model.trusted ? 'any' : 'ensure');
    if (mimeType === undefined) {
      return;
    }
    // Plotly's renderer draws a model once: a new one draws the new colours.
    const inner = this.rendermime.createRenderer(mimeType);
    const layout = this.layout as PanelLayout;
    for (const old of [...layout.widgets]) {
      old.dispose();
    }
    layout.addWidget(inner);
    await inner.renderModel(
      new MimeModel({
        data,
        metadata: model.metadata,
        trusted: model.trusted,
        callback: options => this.keepSnapshot(options.data)
      })
    );
  }

  /**
   * The output as the inner renderer sees it: this part left out (no loop back here), the layout
   * in the theme's colours, and no saved snapshot (which may be of another theme): the chart is
   * always drawn from its figure.
   */
  private innerData(model: IRenderMime.IMimeModel, colours: ChartColours | null): Record<string, any> {
    const data: Record<string, any> = { ...model.data };
    delete data[CHART_MIME];
    delete data[SNAPSHOT_MIME];
    const figure = data[PLOTLY_MIME];
    if (figure && typeof figure === 'object') {
      const layout = (figure as { layout?: Record<string, any> }).layout ?? {};
      data[PLOTLY_MIME] = { ...figure, layout: colours ? themedLayout(layout, colours) : { ...layout } };
    }
    return data;
  }

  /**
   * Plotly's renderer adds a PNG of the drawn chart to its output, which a saved notebook keeps
   * for viewers that cannot draw it (GitHub). It is passed on to the output once: drawing again
   * (another theme, the notebook reopened) would otherwise change the notebook each time.
   */
  private keepSnapshot(data: IRenderMime.IMimeModel.ISetDataOptions['data']): void {
    const model = this.model;
    const png = data?.[SNAPSHOT_MIME];
    if (model === null || this.isDisposed || typeof png !== 'string' || model.data[SNAPSHOT_MIME] !== undefined) {
      return;
    }
    model.setData({ data: { ...model.data, [SNAPSHOT_MIME]: png } });
  }
}

export const chartThemePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-byzer:chart-theme',
  description: "Draws Byzer charts in the notebook's theme (dark included) with Plotly's renderer.",
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (_: JupyterFrontEnd, rendermime: IRenderMimeRegistry) => {
    rendermime.addFactory(
      {
        // Safe: it draws no HTML of its own, and an untrusted output gets only a safe inner renderer.
        safe: true,
        mimeTypes: [CHART_MIME],
        defaultRank: CHART_RANK,
        createRenderer: () => new ThemedChart(rendermime)
      },
      CHART_RANK
    );
  }
};

import { describe, expect, it } from 'vitest';
import { THEME_VARIABLES, coloursKey, themeColours, themedLayout, type ChartColours } from '../chartTheme';

const DARK: ChartColours = {
  background: '#111',
  text: 'rgba(255,255,255,.87)',
  mutedText: 'rgba(255,255,255,.54)',
  grid: '#424242',
  axisLine: '#616161',
  fontFamily: 'system-ui, sans-serif'
};

describe('theme colours', () => {
  it('reads each colour from its JupyterLab variable, trimmed', () => {
    const variables: Record<string, string> = {
      '--jp-layout-color0': ' #111',
      '--jp-ui-font-color1': 'rgba(255,255,255,.87)',
      '--jp-ui-font-color2': 'rgba(255,255,255,.54)',
      '--jp-border-color2': '#424242',
      '--jp-border-color1': '#616161',
      '--jp-ui-font-family': ' system-ui, sans-serif'
    };
    expect(themeColours(name => variables[name] ?? '')).toEqual(DARK);
    expect(Object.values(THEME_VARIABLES).sort()).toEqual(Object.keys(variables).sort());
  });

  it('is null outside a themed page', () => {
    expect(themeColours(() => '')).toBeNull();
    expect(themeColours(name => (name === '--jp-layout-color0' ? 'white' : ''))).toBeNull();
    expect(coloursKey(null)).toBe('');
    expect(coloursKey(DARK)).not.toBe(coloursKey({ ...DARK, background: 'white' }));
  });
});

describe('themed layout', () => {
  it('sets background, text and grid colours and keeps the rest', () => {
    const layout = {
      title: { text: 'Sum of v by k' },
      font: { size: 13 },
      xaxis: { title: { text: 'k' }, type: 'category' },
      barmode: 'group'
    };
    const themed = themedLayout(layout, DARK);
    expect(themed.paper_bgcolor).toBe('#111');
    expect(themed.plot_bgcolor).toBe('#111');
    expect(themed.font).toEqual({ family: 'system-ui, sans-serif', size: 13, color: 'rgba(255,255,255,.87)' });
    expect(themed.xaxis).toEqual({
      title: { text: 'k' },
      type: 'category',
      gridcolor: '#424242',
      zerolinecolor: '#616161',
      linecolor: '#616161'
    });
    expect(themed.yaxis.gridcolor).toBe('#424242');
    expect(themed.modebar.color).toBe('rgba(255,255,255,.54)');
    expect(themed.title).toEqual({ text: 'Sum of v by k' });
    expect(themed.barmode).toBe('group');
  });

  it('does not change the layout it is given', () => {
    const layout = { xaxis: { type: 'category' }, font: { size: 13 } };
    const copy = JSON.parse(JSON.stringify(layout));
    themedLayout(layout, DARK);
    expect(layout).toEqual(copy);
  });

  it("keeps a family the figure names, and wins over a plotly.express template's colours", () => {
    const layout = {
      template: { layout: { plot_bgcolor: '#E5ECF6', font: { color: '#2a3f5f' } } },
      font: { family: 'monospace' }
    };
    const themed = themedLayout(layout, DARK);
    expect(themed.font.family).toBe('monospace');
    expect(themed.plot_bgcolor).toBe('#111');
    expect(themed.template).toBe(layout.template);
  });

  it("outlines bars in the theme's background, not the stock template's pale blue", () => {
    const bar = { marker: { line: { color: '#E5ECF6', width: 0.5 } }, error_x: { color: '#2a3f5f' } };
    const template = { data: { bar: [bar], scatter: [{ type: 'scatter' }] }, layout: { title: { x: 0.05 } } };
    const themed = themedLayout({ template }, DARK).template;
    expect(themed.data.bar[0].marker.line).toEqual({ color: '#111', width: 0.5 });
    expect(themed.data.bar[0].error_x.color).toBe('rgba(255,255,255,.87)');
    expect(themed.data.scatter).toBe(template.data.scatter);
    expect(themed.layout).toBe(template.layout);
    expect(template.data.bar[0]).toBe(bar);
    expect(bar.marker.line.color).toBe('#E5ECF6');
  });

  it('colours every subplot: numbered axes, 3D scenes, polar and ternary plots', () => {
    const themed = themedLayout(
      { xaxis2: { domain: [0.5, 1] }, yaxis3: {}, scene: { zaxis: { title: { text: 'z' } } }, polar: {}, ternary2: {} },
      DARK
    );
    expect(themed.xaxis2).toMatchObject({ domain: [0.5, 1], gridcolor: '#424242' });
    expect(themed.yaxis3.gridcolor).toBe('#424242');
    expect(themed.scene.bgcolor).toBe('#111');
    expect(themed.scene.zaxis).toMatchObject({ title: { text: 'z' }, gridcolor: '#424242', backgroundcolor: '#111' });
    expect(themed.polar.radialaxis.gridcolor).toBe('#424242');
    expect(themed.polar.angularaxis.backgroundcolor).toBeUndefined();
    expect(themed.ternary2.caxis.linecolor).toBe('#616161');
  });
});

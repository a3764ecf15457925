/** The Byzer icon (a white B on blue, as the kernel's logo) for .byzer files and the launcher. */
import { LabIcon } from '@jupyterlab/ui-components';

const BYZER_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">
  <rect x="1" y="1" width="14" height="14" rx="2" fill="#1f5fa8"/>
  <path fill="#ffffff" fill-rule="evenodd"
    d="M5 3h5a2.5 2.5 0 0 1 1.7 4.3A2.7 2.7 0 0 1 10.3 13H5ZM7 4.9v2.2h2.8a1.1 1.1 0 0 0 0-2.2ZM7 8.9v2.2h3.1a1.1 1.1 0 0 0 0-2.2Z"/>
</svg>`;

export const byzerIcon = new LabIcon({ name: 'jupyterlab-byzer:byzer', svgstr: BYZER_SVG });

/**
 * Loads the dashboard with React's production build: its development build
 * (what React loads when NODE_ENV is unset) takes several times the CPU per
 * frame. Callers load it after the script was spawned, so the script still
 * gets the environment it was given.
 */
export async function loadDashboard(): Promise<typeof import('./dashboard.js')> {
	process.env.NODE_ENV ??= 'production';
	return import('./dashboard.js');
}

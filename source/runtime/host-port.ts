/** `127.0.0.1:5432`, `[::1]:6379`: a host and port as a URL writes them, an IPv6 address in brackets. */
export function hostPort(host: string, port: number | string): string {
	return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

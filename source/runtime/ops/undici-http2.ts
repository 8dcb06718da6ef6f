/**
 * undici's HTTP/2 requests (`allowH2`) run on node:http2, and both tell of each one: undici's channels, and
 * node:http2's stream channels. undici's op stands (it knows its pool's queue, its dispatcher, its body); the
 * stream node:http2 creates for it is not a second request. undici sends the request's headers, then opens its
 * stream, in one synchronous call: the stream created next is the one it announced.
 */
export class UndiciHttp2Streams {
	private opening = false;

	/** undici sent a request's headers on an HTTP/2 connection. */
	announced(): void {
		this.opening = true;
		// Were the stream not opened (its session gone away), the next one would be the script's own.
		queueMicrotask(() => (this.opening = false));
	}

	/** node:http2 creates a stream: whether it is the one undici announced, and told of already. */
	claims(): boolean {
		const announced = this.opening;
		this.opening = false;
		return announced;
	}
}

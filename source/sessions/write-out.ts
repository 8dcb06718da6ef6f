/**
 * Writes `text` to a stream (stdout, as a rule) and resolves once it is written: true, or false when the reader
 * went away (EPIPE: `asyncmon report … | head`). That ends the output, as it ends `cat`'s, and is no error: the
 * caller stops writing and exits as it would have.
 */
export function writeOut(stream: NodeJS.WritableStream, text: string): Promise<boolean> {
	return new Promise((resolve, reject) => {
		stream.write(text, error => {
			if (!error) resolve(true);
			else if ((error as NodeJS.ErrnoException).code === 'EPIPE') resolve(false);
			else reject(error);
		});
	});
}

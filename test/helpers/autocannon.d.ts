// The part of autocannon's API the corpus uses; the package ships no types (@types/autocannon would replace this).
declare module 'autocannon' {
	interface Options {
		url: string;
		connections?: number;
		/** Requests to make in all; the run ends after them, whatever `duration` says. */
		amount?: number;
		duration?: number;
		/** Seconds. */
		timeout?: number;
	}

	interface Result {
		requests: {total: number};
		'2xx': number;
		non2xx: number;
		errors: number;
		timeouts: number;
	}

	function autocannon(options: Options): Promise<Result>;
	export default autocannon;
}

// The part of @elastic/mockotlpserver's API the OTLP tests use; the package ships no types for its entry.
declare module '@elastic/mockotlpserver' {
	interface MockOtlpServerOptions {
		services?: Array<'http' | 'grpc' | 'ui'>;
		httpHostname?: string;
		/** 0 picks a free port. */
		httpPort?: number;
		logLevel?: string;
		/** Each ExportTraceServiceRequest received, as decoded. */
		onTrace?: (trace: unknown) => void;
	}

	export class MockOtlpServer {
		constructor(options?: MockOtlpServerOptions);
		httpUrl: URL | null;
		start(): Promise<void>;
		close(): Promise<void>;
	}

	/** A decoded ExportTraceServiceRequest (JSON or protobuf) in one shape: attributes as objects, ids as hex, enums as names. */
	export function normalizeTrace(trace: unknown): unknown;
}

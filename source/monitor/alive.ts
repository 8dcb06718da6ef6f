/** Whether a process of this pid runs. EPERM: it does, someone else's (a pid reused), and so nothing of it is ours to remove. */
export function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

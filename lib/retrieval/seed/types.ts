/** One test as read from a file: its group chain plus own name, and text describing it. */
export interface FoundCase {
  names: string[];
  detail: string;
  /** Stable key within the file when the format has one (a test-case ID); else the name chain. */
  key?: string;
}

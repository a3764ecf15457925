/**
 * One result viewer's connection to the kernel that made its result: a comm on the target
 * `byzer.table`, opened on the first request with `{"table_id": …}`. Requests carry a
 * `request_id` that the kernel echoes, so each answer settles its own promise.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import {
  COMM_TARGET,
  parseDownloadReply,
  parsePageReply,
  type Download,
  type DownloadRequest,
  type Page,
  type PageRequest
} from './tableModel';

/** Under a result drawn with no kernel connected yet, as a reopened notebook's are: its kernel may still be starting. */
export const SAVED_PAGE =
  'The first page, as saved with the notebook: run the cell again to page, sort and download.';
export const NO_KERNEL =
  'The kernel is not running: this is the first page saved with the notebook. Run the cell again to page, sort and download.';
const KERNEL_RESTARTED = 'The kernel restarted, so it no longer has this result: run the cell again.';
const NO_TARGET =
  'This kernel does not serve Byzer results (it has no byzer.table comm target): run the cell again in a Byzer kernel, or after %load_ext byzer_kernel.';

/** The kernel of the output's notebook or console, when it has one now. */
export type KernelGetter = () => Kernel.IKernelConnection | null | undefined;

interface Waiting {
  resolve: (reply: unknown) => void;
  reject: (error: Error) => void;
}

export class KernelTables implements IDisposable {
  private comm: Kernel.IComm | null = null;
  private commKernel: Kernel.IKernelConnection | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private disposed = false;

  constructor(
    private readonly tableId: string,
    private readonly kernel: KernelGetter
  ) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Whether a kernel is there to ask (it may still not have the result: it answers why). */
  get available(): boolean {
    const kernel = this.kernel();
    return !!kernel && !kernel.isDisposed && kernel.status !== 'dead';
  }

  async page(request: PageRequest): Promise<Page> {
    return parsePageReply(await this.send(request.request_id, request as unknown as JSONObject));
  }

  async download(request: DownloadRequest): Promise<Download> {
    return parseDownloadReply(await this.send(request.request_id, request as unknown as JSONObject));
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.drop('the result viewer was closed');
  }

  private send(requestId: number, message: JSONObject): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let comm: Kernel.IComm;
      try {
        comm = this.open();
      } catch (error) {
        reject(error as Error);
        return;
      }
      this.waiting.set(requestId, { resolve, reject });
      try {
        comm.send(message);
      } catch (error) {
        this.waiting.delete(requestId);
        reject(new Error(`the request did not reach the kernel: ${(error as Error).message}`));
      }
    });
  }

  private open(): Kernel.IComm {
    const kernel = this.kernel();
    if (!kernel || kernel.isDisposed || kernel.status === 'dead' || kernel.status === 'terminating') {
      throw new Error(NO_KERNEL);
    }
    if (this.comm && !this.comm.isDisposed && this.commKernel === kernel) {
      return this.comm;
    }
    this.drop(KERNEL_RESTARTED);
    const comm = kernel.createComm(COMM_TARGET);
    comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => this.answer(msg.content.data);
    comm.onClose = () => {
      if (this.comm === comm) {
        this.comm = null;
        this.failAll(NO_TARGET);
      }
    };
    kernel.statusChanged.connect(this.onStatus, this);
    kernel.disposed.connect(this.onKernelGone, this);
    comm.open({ table_id: this.tableId });
    this.comm = comm;
    this.commKernel = kernel;
    return comm;
  }

  private onStatus(kernel: Kernel.IKernelConnection, status: KernelMessage.Status): void {
    // A restart empties the kernel, a shut-down one is gone: a comm of the old process never answers.
    if (kernel !== this.commKernel) {
      return;
    }
    if (status === 'restarting' || status === 'autorestarting') {
      this.drop(KERNEL_RESTARTED);
    } else if (status === 'terminating' || status === 'dead') {
      this.drop(NO_KERNEL);
    }
  }

  /** The notebook's connection to its kernel closed (kernel shut down, kernel changed). */
  private onKernelGone(kernel: Kernel.IKernelConnection): void {
    if (kernel === this.commKernel) {
      this.drop(NO_KERNEL);
    }
  }

  private answer(data: unknown): void {
    const id = (data as { request_id?: unknown } | null)?.request_id;
    // An answer without the id (the kernel could not read the request) settles the oldest one.
    const key = typeof id === 'number' && this.waiting.has(id) ? id : this.waiting.keys().next().value;
    if (key === undefined) {
      return;
    }
    const waiting = this.waiting.get(key)!;
    this.waiting.delete(key);
    waiting.resolve(data);
  }

  private drop(reason: string): void {
    if (this.commKernel) {
      this.commKernel.statusChanged.disconnect(this.onStatus, this);
      this.commKernel.disposed.disconnect(this.onKernelGone, this);
    }
    const comm = this.comm;
    this.comm = null;
    this.commKernel = null;
    if (comm && !comm.isDisposed) {
      try {
        comm.close();
      } catch {
        // the kernel is gone already: nothing to tell it
      }
    }
    this.failAll(reason);
  }

  private failAll(reason: string): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const { reject } of waiting) {
      reject(new Error(reason));
    }
  }
}

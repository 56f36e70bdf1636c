import { cleanUp } from '../harness/run/clean-up';

describe("a case's clean-up (StepContext.onCleanup)", () => {
  test('releases the last registered first, each after the one before has finished', async () => {
    const order: string[] = [];
    const release = (name: string) => async () => {
      order.push(`${name} starts`);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(`${name} done`);
    };
    await cleanUp([release('server'), release('held port'), release('proxy')]);
    expect(order).toEqual(['proxy starts', 'proxy done', 'held port starts', 'held port done', 'server starts', 'server done']);
  });

  test('a release that fails does not stop the others; every failure is in the error', async () => {
    const released: string[] = [];
    const cleanups = [
      async () => void released.push('first'),
      async () => Promise.reject(new Error('the proxy would not close')),
      async () => void released.push('third'),
      async () => Promise.reject(new Error('the server would not stop')),
    ];
    await expect(cleanUp(cleanups)).rejects.toThrow('the server would not stop; the proxy would not close');
    expect(released).toEqual(['third', 'first']);
  });
});

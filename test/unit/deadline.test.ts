import { currentDeadline, deadlineIn, invocationDeadline, leavingReserve, remainingMs, withDeadline } from '../../lib/core/deadline';

describe('the deadline of the work in progress', () => {
  it('is absent outside any deadline, and set inside one', async () => {
    expect(currentDeadline()).toBeUndefined();
    expect(remainingMs()).toBeUndefined();
    await withDeadline(5_000, async () => {
      await Promise.resolve();
      expect(currentDeadline()).toBe(5_000);
      expect(remainingMs(4_000)).toBe(1_000);
      expect(remainingMs(6_000)).toBe(0);
    });
  });

  it('an inner deadline never extends an outer, earlier one', () => {
    withDeadline(1_000, () => {
      expect(withDeadline(2_000, () => currentDeadline())).toBe(1_000);
      expect(withDeadline(500, () => currentDeadline())).toBe(500);
    });
  });

  it('a step leaving a reserve ends that long before the enclosing deadline; without one it runs as it is', () => {
    expect(withDeadline(1_000, () => leavingReserve(150, () => currentDeadline()))).toBe(850);
    expect(leavingReserve(150, () => currentDeadline())).toBeUndefined();
  });

  it('a deadline in some milliseconds counts from now', () => {
    const before = Date.now();
    const deadline = deadlineIn(300);
    expect(deadline).toBeGreaterThanOrEqual(before + 300);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 300);
  });

  it('concurrent work each keeps its own deadline', async () => {
    const seen = await Promise.all([1_000, 2_000, 3_000].map((deadline) => withDeadline(deadline, async () => {
      await new Promise((resolve) => setTimeout(resolve, 3_000 / deadline));
      return currentDeadline();
    })));
    expect(seen).toEqual([1_000, 2_000, 3_000]);
  });

  it("an invocation's deadline is its remaining time less the margin", () => {
    expect(invocationDeadline({ getRemainingTimeInMillis: () => 10_000 }, 1_000, 50_000)).toBe(59_000);
  });
});

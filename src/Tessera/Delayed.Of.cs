using Tessera.Graphs;

namespace Tessera;

// Delayed.Of for functions of 0 to 8 arguments. Each returns a function of the same shape whose
// arguments are lazy values (or plain values, converted implicitly) and whose result is lazy.
public abstract partial class Delayed
{
    /// <summary>Wraps a function of 0 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<TResult>> Of<TResult>(Func<TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return () => Call<TResult>(f, isPure, []);
    }

    /// <summary>Wraps a function of 1 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<T1>, Delayed<TResult>> Of<T1, TResult>(Func<T1, TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return (a1) => Call<TResult>(f, isPure, [a1]);
    }

    /// <summary>Wraps a function of 2 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<T1>, Delayed<T2>, Delayed<TResult>> Of<T1, T2, TResult>(Func<T1, T2, TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return (a1, a2) => Call<TResult>(f, isPure, [a1, a2]);
    }

    /// <summary>Wraps a function of 3 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<T1>, Delayed<T2>, Delayed<T3>, Delayed<TResult>> Of<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return (a1, a2, a3) => Call<TResult>(f, isPure, [a1, a2, a3]);
    }

    /// <summary>Wraps a function of 4 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<T1>, Delayed<T2>, Delayed<T3>, Delayed<T4>, Delayed<TResult>> Of<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return (a1, a2, a3, a4) => Call<TResult>(f, isPure, [a1, a2, a3, a4]);
    }

    /// <summary>Wraps a function of 5 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="T5">The type of argument 5.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<T1>, Delayed<T2>, Delayed<T3>, Delayed<T4>, Delayed<T5>, Delayed<TResult>> Of<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return (a1, a2, a3, a4, a5) => Call<TResult>(f, isPure, [a1, a2, a3, a4, a5]);
    }

    /// <summary>Wraps a function of 6 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="T5">The type of argument 5.</typeparam>
    /// <typeparam name="T6">The type of argument 6.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<T1>, Delayed<T2>, Delayed<T3>, Delayed<T4>, Delayed<T5>, Delayed<T6>, Delayed<TResult>> Of<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return (a1, a2, a3, a4, a5, a6) => Call<TResult>(f, isPure, [a1, a2, a3, a4, a5, a6]);
    }

    /// <summary>Wraps a function of 7 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="T5">The type of argument 5.</typeparam>
    /// <typeparam name="T6">The type of argument 6.</typeparam>
    /// <typeparam name="T7">The type of argument 7.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<T1>, Delayed<T2>, Delayed<T3>, Delayed<T4>, Delayed<T5>, Delayed<T6>, Delayed<T7>, Delayed<TResult>> Of<T1, T2, T3, T4, T5, T6, T7, TResult>(Func<T1, T2, T3, T4, T5, T6, T7, TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return (a1, a2, a3, a4, a5, a6, a7) => Call<TResult>(f, isPure, [a1, a2, a3, a4, a5, a6, a7]);
    }

    /// <summary>Wraps a function of 8 argument(s) so that calling it builds a task instead of running.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="T4">The type of argument 4.</typeparam>
    /// <typeparam name="T5">The type of argument 5.</typeparam>
    /// <typeparam name="T6">The type of argument 6.</typeparam>
    /// <typeparam name="T7">The type of argument 7.</typeparam>
    /// <typeparam name="T8">The type of argument 8.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="name">The prefix of the keys of its tasks; by default the method's name.</param>
    /// <param name="pure">Whether equal calls may share one task (deterministic keys); by default the <c>delayed-pure</c> setting (false).</param>
    /// <returns>The lazy function.</returns>
    public static Func<Delayed<T1>, Delayed<T2>, Delayed<T3>, Delayed<T4>, Delayed<T5>, Delayed<T6>, Delayed<T7>, Delayed<T8>, Delayed<TResult>> Of<T1, T2, T3, T4, T5, T6, T7, T8, TResult>(Func<T1, T2, T3, T4, T5, T6, T7, T8, TResult> function, string? name = null, bool? pure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        TaskFunction f = TaskFunction.Create(function, name);
        bool isPure = pure ?? TesseraConfig.Get("delayed-pure", false);
        return (a1, a2, a3, a4, a5, a6, a7, a8) => Call<TResult>(f, isPure, [a1, a2, a3, a4, a5, a6, a7, a8]);
    }
}

using Tessera.Graphs;

namespace Tessera.Distributed;

// Submit for functions of 0 to 3 arguments, each argument a value or a future (every combination,
// so argument types are checked at compile time; 4 to 6 arguments in Client.Submit.Many.cs), and Map
// over one or two sequences of values or futures. A future argument becomes a dependency whose
// result the worker passes in.
public sealed partial class Client
{
    /// <summary>Runs <paramref name="function"/> on a worker.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>.</exception>
    public Future<TResult> Submit<TResult>(Func<TResult> function, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the argument is a value.</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>.</exception>
    public Future<TResult> Submit<T1, TResult>(Func<T1, TResult> function, T1 arg1, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the argument is a future, whose result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, TResult>(Func<T1, TResult> function, Future<T1> arg1, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are values.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>.</exception>
    public Future<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> function, T1 arg1, T2 arg2, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are a value and a future; a future's result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> function, T1 arg1, Future<T2> arg2, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are a future and a value; a future's result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> function, Future<T1> arg1, T2 arg2, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are futures, whose results are passed (the task depends on them).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> function, Future<T1> arg1, Future<T2> arg2, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are values.</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, T1 arg1, T2 arg2, T3 arg3, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are a value, a value and a future; a future's result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are a value, a future and a value; a future's result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are a value, a future and a future; a future's result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are a future, a value and a value; a future's result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are a future, a value and a future; a future's result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are a future, a future and a value; a future's result is passed (the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the arguments are futures, whose results are passed (the task depends on them).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on every item, as one task per item, submitted together.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="items">The items.</param>
    /// <param name="retries">How many times each task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the tasks may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs them.</param>
    /// <param name="resources">The abstract resources each task needs while it runs (e.g. <c>GPU</c> = 1); they run only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>One future per item, in order; equal items share one task.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>.</exception>
    public IReadOnlyList<Future<TResult>> Map<T, TResult>(Func<T, TResult> function, IEnumerable<T> items, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        return MapCalls<TResult>(TaskFunction.Create(function), items.Select(item => new Node[] { Arg(item) }), retries, Restrict(workers, allowOtherWorkers, resources));
    }

    /// <summary>
    /// Runs <paramref name="function"/> on the result of every future, as one task per future, submitted
    /// together (Dask's <c>client.map</c> over futures): each task depends on its future and starts once
    /// that result is ready, on the worker that holds it where that is cheapest.
    /// </summary>
    /// <typeparam name="T">The type of the futures' results.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="futures">The futures, of this client.</param>
    /// <param name="retries">How many times each task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the tasks may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs them.</param>
    /// <param name="resources">The abstract resources each task needs while it runs (e.g. <c>GPU</c> = 1); they run only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>One future per input future, in order; equal inputs share one task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or one of its futures is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future belongs to another client, was disposed or was cancelled.</exception>
    public IReadOnlyList<Future<TResult>> Map<T, TResult>(Func<T, TResult> function, IEnumerable<Future<T>> futures, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null)
    {
        ArgumentNullException.ThrowIfNull(futures);
        return MapCalls<TResult>(TaskFunction.Create(function), futures.Select(f => new Node[] { OwnedArg(f, nameof(futures)) }), retries, Restrict(workers, allowOtherWorkers, resources));
    }

    /// <summary>
    /// Runs <paramref name="function"/> on pairs of items taken from two sequences in step, as one task
    /// per pair, submitted together; it stops at the end of the shorter sequence, as Dask's <c>map</c> over
    /// several iterables (and LINQ's <c>Zip</c>) do.
    /// </summary>
    /// <typeparam name="T1">The type of the first sequence's items.</typeparam>
    /// <typeparam name="T2">The type of the second sequence's items.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="items1">The first arguments.</param>
    /// <param name="items2">The second arguments.</param>
    /// <param name="retries">How many times each task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the tasks may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs them.</param>
    /// <param name="resources">The abstract resources each task needs while it runs (e.g. <c>GPU</c> = 1); they run only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>One future per pair, in order; equal pairs share one task.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>.</exception>
    public IReadOnlyList<Future<TResult>> Map<T1, T2, TResult>(Func<T1, T2, TResult> function, IEnumerable<T1> items1, IEnumerable<T2> items2, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null)
    {
        ArgumentNullException.ThrowIfNull(items1);
        ArgumentNullException.ThrowIfNull(items2);
        return MapCalls<TResult>(TaskFunction.Create(function), items1.Zip(items2, (a, b) => new Node[] { Arg(a), Arg(b) }), retries, Restrict(workers, allowOtherWorkers, resources));
    }

    /// <summary>
    /// Runs <paramref name="function"/> on pairs taken from two sequences in step, like
    /// <see cref="Map{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{T1}, IEnumerable{T2}, int, IEnumerable{string}?, bool, IReadOnlyDictionary{string, double}?)"/>;
    /// here the first sequence holds futures, and each task depends on its futures (their results are passed in).
    /// </summary>
    /// <typeparam name="T1">The type of the first arguments.</typeparam>
    /// <typeparam name="T2">The type of the second arguments.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="futures1">The futures, of this client, whose results are the first arguments.</param>
    /// <param name="items2">The second arguments.</param>
    /// <param name="retries">How many times each task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the tasks may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs them.</param>
    /// <param name="resources">The abstract resources each task needs while it runs (e.g. <c>GPU</c> = 1); they run only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>One future per pair, in order; equal pairs share one task.</returns>
    /// <exception cref="ArgumentNullException">A sequence, or a future in one, is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future belongs to another client, was disposed or was cancelled.</exception>
    public IReadOnlyList<Future<TResult>> Map<T1, T2, TResult>(Func<T1, T2, TResult> function, IEnumerable<Future<T1>> futures1, IEnumerable<T2> items2, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null)
    {
        ArgumentNullException.ThrowIfNull(futures1);
        ArgumentNullException.ThrowIfNull(items2);
        return MapCalls<TResult>(TaskFunction.Create(function), futures1.Zip(items2, (a, b) => new Node[] { OwnedArg(a, nameof(futures1)), Arg(b) }), retries, Restrict(workers, allowOtherWorkers, resources));
    }

    /// <summary>
    /// Runs <paramref name="function"/> on pairs taken from two sequences in step, like
    /// <see cref="Map{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{T1}, IEnumerable{T2}, int, IEnumerable{string}?, bool, IReadOnlyDictionary{string, double}?)"/>;
    /// here the second sequence holds futures, and each task depends on its futures (their results are passed in).
    /// </summary>
    /// <typeparam name="T1">The type of the first arguments.</typeparam>
    /// <typeparam name="T2">The type of the second arguments.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="items1">The first arguments.</param>
    /// <param name="futures2">The futures, of this client, whose results are the second arguments.</param>
    /// <param name="retries">How many times each task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the tasks may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs them.</param>
    /// <param name="resources">The abstract resources each task needs while it runs (e.g. <c>GPU</c> = 1); they run only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>One future per pair, in order; equal pairs share one task.</returns>
    /// <exception cref="ArgumentNullException">A sequence, or a future in one, is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future belongs to another client, was disposed or was cancelled.</exception>
    public IReadOnlyList<Future<TResult>> Map<T1, T2, TResult>(Func<T1, T2, TResult> function, IEnumerable<T1> items1, IEnumerable<Future<T2>> futures2, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null)
    {
        ArgumentNullException.ThrowIfNull(items1);
        ArgumentNullException.ThrowIfNull(futures2);
        return MapCalls<TResult>(TaskFunction.Create(function), items1.Zip(futures2, (a, b) => new Node[] { Arg(a), OwnedArg(b, nameof(futures2)) }), retries, Restrict(workers, allowOtherWorkers, resources));
    }

    /// <summary>
    /// Runs <paramref name="function"/> on pairs taken from two sequences in step, like
    /// <see cref="Map{T1, T2, TResult}(Func{T1, T2, TResult}, IEnumerable{T1}, IEnumerable{T2}, int, IEnumerable{string}?, bool, IReadOnlyDictionary{string, double}?)"/>;
    /// here both sequences hold futures, and each task depends on its futures (their results are passed in).
    /// </summary>
    /// <typeparam name="T1">The type of the first arguments.</typeparam>
    /// <typeparam name="T2">The type of the second arguments.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="futures1">The futures, of this client, whose results are the first arguments.</param>
    /// <param name="futures2">The futures, of this client, whose results are the second arguments.</param>
    /// <param name="retries">How many times each task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the tasks may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs them.</param>
    /// <param name="resources">The abstract resources each task needs while it runs (e.g. <c>GPU</c> = 1); they run only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>One future per pair, in order; equal pairs share one task.</returns>
    /// <exception cref="ArgumentNullException">A sequence, or a future in one, is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or a future belongs to another client, was disposed or was cancelled.</exception>
    public IReadOnlyList<Future<TResult>> Map<T1, T2, TResult>(Func<T1, T2, TResult> function, IEnumerable<Future<T1>> futures1, IEnumerable<Future<T2>> futures2, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null)
    {
        ArgumentNullException.ThrowIfNull(futures1);
        ArgumentNullException.ThrowIfNull(futures2);
        return MapCalls<TResult>(TaskFunction.Create(function), futures1.Zip(futures2, (a, b) => new Node[] { OwnedArg(a, nameof(futures1)), OwnedArg(b, nameof(futures2)) }), retries, Restrict(workers, allowOtherWorkers, resources));
    }
}

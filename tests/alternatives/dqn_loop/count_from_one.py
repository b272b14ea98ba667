"""A correct training loop that counts steps from 1 (``step`` is the number of the env step
being taken), resets inside the collection block, and trains from ``step >= learning_starts``."""
# Only `train` is written here: tests/test_graders.py puts it after the provided
# code of solutions/dqn_loop.py (imports, DQNConfig, TrainResult, helpers).


def train(config: DQNConfig) -> TrainResult:
    """Train a DQN agent as set by ``config``; see the module docstring for the structure."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    env = make_env(config.env_id, config.seed)
    q_network = QNetwork(env.observation_space.shape[0], int(env.action_space.n), config.hidden_sizes)
    target_network = copy.deepcopy(q_network)
    target_network.requires_grad_(False)
    optimizer = torch.optim.Adam(q_network.parameters(), lr=config.learning_rate_start)
    buffer = ReplayBuffer(config.buffer_capacity, env.observation_space.shape)
    logger = CsvLogger(config.log_path)
    result = TrainResult(q_network=q_network, logger=logger)
    episode_return = 0.0
    stats: dict[str, float] = {}

    obs, _ = env.reset(seed=config.seed)
    for step in range(1, config.total_steps + 1):
        epsilon = linear_schedule(config.epsilon_start, config.epsilon_end, config.epsilon_decay_steps, step)

        # Process 1: collect one transition, then move on.
        observation = torch.from_numpy(np.asarray(obs, dtype=np.float32)).reshape(1, -1)
        with torch.no_grad():
            action = int(epsilon_greedy(q_network(observation), epsilon, rng)[0])
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated=terminated, truncated=truncated)
        episode_return += float(reward)
        if terminated or truncated:
            logger.log(step, **{"charts/episodic_return": episode_return, "charts/epsilon": epsilon})
            episode_return = 0.0
            obs = env.reset()[0]
        else:
            obs = next_obs

        # Process 3 (and Polyak's process 2).
        if step >= config.learning_starts and step % config.train_every == 0:
            learning_rate = linear_schedule(config.learning_rate_start, config.learning_rate_end,
                                            config.learning_rate_decay_steps, step)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate
            gradient_step = 0
            while gradient_step < config.gradient_steps:
                batch = buffer.sample(config.batch_size, rng)
                stats = update_q_network(q_network, optimizer, batch.observations, batch.actions,
                                         compute_targets(batch, q_network, target_network, config.gamma,
                                                         config.double_q),
                                         loss=config.loss, huber_delta=config.huber_delta,
                                         max_grad_norm=config.max_grad_norm)
                if config.target_update == "polyak":
                    polyak_update(target_network, q_network, tau=config.tau)
                gradient_step += 1
            result.gradient_steps += gradient_step
        if stats and step % config.log_every == 0:
            logger.log(step, **stats, **{"charts/learning_rate": optimizer.param_groups[0]["lr"]})

        # Process 2 for hard updates.
        if config.target_update == "hard" and step % config.target_update_every == 0:
            hard_update(target_network=target_network, online_network=q_network)

        if step >= config.learning_starts and step % config.eval_every == 0:
            mean_return = float(np.mean(evaluate(greedy_policy(q_network), config.env_id,
                                                 config.eval_episodes, seed=10_000 + config.seed)))
            result.evaluations.append((step, mean_return))
            logger.log(step, **{"charts/eval_return": mean_return})
            if config.solved_return is not None and mean_return >= config.solved_return:
                result.solved_at = step
                result.env_steps = step
                break
        result.env_steps = step
    env.close()
    logger.close()
    return result
